/**
 * Sluice's public API: `import { StreamExecutionEnvironment, Types } from 'sluice'`.
 * Names follow PyFlink's DataStream API in camelCase.
 */
export * from '../shared/api/index.ts';
export type {
  BaseBroadcastProcessContext,
  BroadcastProcessContext,
  BroadcastProcessReadOnlyContext,
  Collector,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessReadOnlyContext,
  KeyedProcessContext,
  KeyedStateStore,
  OnTimerContext,
  ProcessContext,
  RuntimeContext,
  TimerService,
} from '../shared/api/contexts.ts';
export type {
  AggregatingState,
  BroadcastState,
  ListState,
  MapState,
  ReadOnlyBroadcastState,
  ReducingState,
  State,
  ValueState,
} from '../shared/api/state.ts';
export { StreamExecutionEnvironment, CheckpointConfig } from './api/environment.ts';
export { DataStream, KeyedStream, DataStreamSink, type CollectOptions } from './api/data-stream.ts';
export { SourceFunction, type SourceContext } from './api/sources.ts';
export { FileSource, FileSourceBuilder, NumberSequenceSource, StreamFormat, type Source } from './api/source-builders.ts';
export { SinkFunction, FileSink, FileSinkBuilder, type FileSinkOptions } from './api/sinks.ts';
export { Encoder, OutputFileConfig, OutputFileConfigBuilder, RollingPolicy } from './api/file-sink-config.ts';
export { BucketAssigner, type BucketAssignerContext } from './api/bucket-assigners.ts';
export { WatermarkStrategy } from './api/watermark-strategy.ts';
export { RuntimeExecutionMode } from './api/runtime-execution-mode.ts';
export { WindowedStream } from './api/windowed-stream.ts';
export { AllWindowedStream } from './api/all-windowed-stream.ts';
export { ConnectedStreams } from './api/connected-streams.ts';
export { BroadcastStream, BroadcastConnectedStream } from './api/broadcast-stream.ts';
export { JobExecutionResult, type OperatorCounts } from './api/job-result.ts';
export type {
  CounterValue,
  DistributionValue,
  GaugeValue,
  MeterValue,
  MetricsByOperator,
  MetricValue,
  OperatorMetrics,
} from './metrics/metric-values.ts';
export { DEAD_LETTERS, type DeadLetter } from './api/dead-letters.ts';
export { formatValue } from './api/format-value.ts';
export type { JobClient } from './runtime/job-runner.ts';
export { JobStatus } from './api/job-status.ts';
export { SourceCancelledError } from './runtime/sources/function-reader.ts';
export { EscapedFunctionError } from './runtime/host-thread-jobs.ts';
export {
  SluiceError,
  ConfigError,
  JobDefinitionError,
  UnshippableFunctionError,
  UserFunctionError,
  OutputTypeError,
  InputTypeError,
  WorkerFailureError,
  JobCancelledError,
  CheckpointError,
  ProtocolError,
  StateAccessError,
  SourceIOError,
  SinkIOError,
} from '../shared/errors/errors.ts';
export { Configuration } from '../shared/config/configuration.ts';
export { addLogSink, getLogLevel, setLogLevel, setStderrLogging, type LogRecord, type LogLevel } from './log.ts';
