/** The editor settings: package.json contributes exactly the server's schema, with the same defaults. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ALL_CODES } from '../server/src/engine/rules/registry';
import { effectiveLintSettings, flattenedDefaults, parseSettings, SEVERITY_VALUES } from '../server/src/lsp/config';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; enum?: string[]; properties?: Record<string, { enum: string[] }>; markdownDescription?: string; scope?: string }> }; commands: { command: string; category?: string }[] };
};
const properties = pkg.contributes.configuration.properties;

describe('settings schema and package.json', () => {
  it('contribute the same keys with the same defaults', () => {
    const defaults = flattenedDefaults();
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(defaults).sort());
    for (const [key, value] of Object.entries(defaults)) assert.deepEqual(properties[key].default, value, key);
  });

  it('describe every setting and give it a scope', () => {
    for (const [key, p] of Object.entries(properties)) {
      assert.ok(p.markdownDescription && p.markdownDescription.length > 20, `${key} needs a markdownDescription`);
      assert.ok(p.scope, `${key} needs a scope`);
    }
  });

  it('list a severity entry for exactly the registered rules, with the server enum', () => {
    const severity = properties['pdsLint.severity'];
    assert.deepEqual(Object.keys(severity.properties ?? {}).sort(), [...ALL_CODES].sort());
    for (const p of Object.values(severity.properties ?? {})) assert.deepEqual(p.enum, [...SEVERITY_VALUES]);
    assert.deepEqual(properties['pdsLint.run'].enum, ['onType', 'onSave']);
  });

  it('run code only in trusted workspaces: limited support, pythonPath restricted, the dry run disabled', () => {
    const manifest = pkg as unknown as {
      capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations: string[] } };
      contributes: { commands: { command: string; enablement?: string }[]; menus: Record<string, { command: string; when?: string }[]> };
    };
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['pdsLint.pythonPath']);
    assert.equal(manifest.contributes.commands.find((c) => c.command === 'pdsLint.dryRun')?.enablement, 'isWorkspaceTrusted');
    for (const entries of Object.values(manifest.contributes.menus)) {
      for (const entry of entries.filter((e) => e.command === 'pdsLint.dryRun')) assert.match(entry.when ?? '', /isWorkspaceTrusted/);
    }
  });

  it('name the commands under the PDS category', () => {
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), ['pdsLint.dryRun', 'pdsLint.restartServer', 'pdsLint.showOutput']);
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'PDS');
  });
});

describe('settings parsing', () => {
  it('falls back to the default for a bad key only, naming it', () => {
    const { settings, problems } = parseSettings({ run: 'sometimes', select: ['PDS001'], delay: -5, severity: { PDS007: 'loud' } });
    assert.equal(settings.run, 'onType');
    assert.equal(settings.delay, 150);
    assert.deepEqual(settings.select, ['PDS001']);
    assert.deepEqual(settings.severity, {});
    assert.deepEqual(problems.map((p) => p.key).sort(), ['pdsLint.delay', 'pdsLint.run', 'pdsLint.severity']);
  });

  it('reports unknown rule codes in the severity map', () => {
    const { settings, problems } = parseSettings({ severity: { PDS999: 'off', PDS007: 'hint' } });
    assert.deepEqual(settings.severity, { PDS007: 'hint' });
    assert.match(problems[0].message, /unknown rule PDS999/);
  });

  it('layers defaults < pyproject.toml < editor settings', () => {
    const file = { select: ['PDS00'], ignore: ['PDS006'], severity: { PDS007: 'warning' as const } };
    const { settings } = parseSettings({ ignore: ['PDS009'], severity: { PDS007: 'hint' } });
    assert.deepEqual(effectiveLintSettings(file, settings), { select: ['PDS00'], ignore: ['PDS006', 'PDS009'], severity: { PDS007: 'hint' } });
    const { settings: withSelect } = parseSettings({ select: ['PDS020'] });
    assert.deepEqual(effectiveLintSettings(file, withSelect).select, ['PDS020']);
    assert.deepEqual(effectiveLintSettings(undefined, parseSettings({}).settings), {});
  });
});
