# SYNTAX TEST "source.python" "pds-lint noqa directives in Python comments"

value = 1  # noqa: PDS002
#          ^ comment.line.number-sign.python punctuation.definition.comment.python
#            ^^^^ comment.line.number-sign.python meta.directive.noqa.python keyword.other.noqa.python
#                ^ meta.directive.noqa.python punctuation.separator.key-value.noqa.python
#                  ^^^^^^ meta.directive.noqa.python variable.other.enummember.rule-code.pds.python

value = 1  # NOQA:PDS002,E501  PDS018 and a reason
#            ^^^^ keyword.other.noqa.python
#                ^ punctuation.separator.key-value.noqa.python
#                 ^^^^^^ variable.other.enummember.rule-code.pds.python
#                       ^ punctuation.separator.comma.noqa.python
#                        ^^^^ constant.other.rule-code.python - variable.other.enummember.rule-code.pds.python
#                              ^^^^^^ variable.other.enummember.rule-code.pds.python
#                                     ^^^^^^^^^^^^ comment.line.number-sign.python - meta.directive.noqa.python

value = 1  # noqa: E501, F401
#                  ^^^^ constant.other.rule-code.python - variable.other.enummember.rule-code.pds.python
#                        ^^^^ constant.other.rule-code.python

value = 1  # noqa
#            ^^^^ meta.directive.noqa.python keyword.other.noqa.python

value = 1  #noqa:pds003
#           ^^^^ keyword.other.noqa.python
#                ^^^^^^ variable.other.enummember.rule-code.pds.python

value = 1  # fmt: skip  # noqa: PDS020
#          ^^^^^^^^^^^^^ comment.line.number-sign.python - meta.directive.noqa.python
#                       ^ meta.directive.noqa.python punctuation.definition.comment.python
#                         ^^^^ keyword.other.noqa.python
#                               ^^^^^^ variable.other.enummember.rule-code.pds.python

value = []  # type: list  # noqa: PDS018
#                         ^ punctuation.definition.comment.python
#                           ^^^^ keyword.other.noqa.python
#                                 ^^^^^^ variable.other.enummember.rule-code.pds.python

value = 1  # noqa-ish is no directive, noqax neither
#            ^^^^^^^^ comment.line.number-sign.python - keyword.other.noqa.python
#                                      ^^^^^ - keyword.other.noqa.python

value = 1  # see the noqa docs: PDS002 is only a directive after a hash
#                ^^^^ comment.line.number-sign.python - keyword.other.noqa.python
#                               ^^^^^^ - variable.other.enummember.rule-code.pds.python

value = 1  # noqa: XPDS002
#                  ^^^^^^^ constant.other.rule-code.python - variable.other.enummember.rule-code.pds.python

text = "# noqa: PDS002 in a string is no comment"
#       ^^^^^^^^^^^^^^ string.quoted.double.python - keyword.other.noqa.python variable.other.enummember.rule-code.pds.python
