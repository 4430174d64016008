/** The Spark classes a user class can derive from, and where Spark defines them. */

export type SparkRole =
  | 'DataSource'
  | 'DataSourceReader'
  | 'DataSourceStreamReader'
  | 'SimpleDataSourceStreamReader'
  | 'DataSourceWriter'
  | 'DataSourceStreamWriter'
  | 'DataSourceArrowWriter'
  | 'DataSourceArrowStreamWriter'
  | 'InputPartition'
  | 'WriterCommitMessage';

export const SPARK_ROLES: readonly SparkRole[] = [
  'DataSource',
  'DataSourceReader',
  'DataSourceStreamReader',
  'SimpleDataSourceStreamReader',
  'DataSourceWriter',
  'DataSourceStreamWriter',
  'DataSourceArrowWriter',
  'DataSourceArrowStreamWriter',
  'InputPartition',
  'WriterCommitMessage',
];

/** Modules that export the data-source base classes. */
export const DATASOURCE_MODULES = ['pyspark.sql.datasource', 'pyspark.sql.streaming.datasource'];

const ROLE_BY_QUALIFIED = new Map<string, SparkRole>();
for (const mod of DATASOURCE_MODULES) for (const role of SPARK_ROLES) ROLE_BY_QUALIFIED.set(`${mod}.${role}`, role);

/** The Spark role a fully qualified base-class name stands for, if any. */
export function roleOfQualifiedName(qualified: string | undefined): SparkRole | undefined {
  return qualified ? ROLE_BY_QUALIFIED.get(qualified) : undefined;
}

export type RoleFamily = 'source' | 'reader' | 'writer' | 'partition' | 'message';

export function isStreamReaderRole(role: SparkRole | undefined): boolean {
  return role === 'DataSourceStreamReader' || role === 'SimpleDataSourceStreamReader';
}

export function isReaderRole(role: SparkRole | undefined): boolean {
  return role === 'DataSourceReader' || isStreamReaderRole(role);
}

export function isWriterRole(role: SparkRole | undefined): boolean {
  return (
    role === 'DataSourceWriter' ||
    role === 'DataSourceStreamWriter' ||
    role === 'DataSourceArrowWriter' ||
    role === 'DataSourceArrowStreamWriter'
  );
}

export function isStreamWriterRole(role: SparkRole | undefined): boolean {
  return role === 'DataSourceStreamWriter' || role === 'DataSourceArrowStreamWriter';
}
