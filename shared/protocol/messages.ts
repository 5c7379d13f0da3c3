/**
 * Names for the generated protocol types (shared/generated is produced from proto/ by
 * `npm run generate`). Code works with the plain-object interfaces (`I*`): in thread mode
 * messages cross a MessagePort as structured clones, so no code may rely on message classes or
 * protobuf defaults; a missing field means its default.
 */
import { sluice } from '../generated/protocol.js';

export const fnProto = sluice.fn.v1;

export type InstructionRequest = sluice.fn.v1.IInstructionRequest;
export type InstructionResponse = sluice.fn.v1.IInstructionResponse;
export type RegisterRequest = sluice.fn.v1.IRegisterRequest;
export type TransformProto = sluice.fn.v1.ITransform;
export type ProcessBundleRequest = sluice.fn.v1.IProcessBundleRequest;
export type ProcessBundleResponse = sluice.fn.v1.IProcessBundleResponse;
export type TransformMetrics = sluice.fn.v1.ITransformMetrics;
export type Elements = sluice.fn.v1.IElements;
export type DataBatch = sluice.fn.v1.IDataBatch;
export type StateRequest = sluice.fn.v1.IStateRequest;
export type StateResponse = sluice.fn.v1.IStateResponse;
export type StateOperation = sluice.fn.v1.IStateOperation;
export type StateResult = sluice.fn.v1.IStateResult;
export type LogEntries = sluice.fn.v1.ILogEntries;
export type LogEntry = sluice.fn.v1.ILogEntry;
export type LogControl = sluice.fn.v1.ILogControl;
export type ProtoError = sluice.fn.v1.IError;
export type FunctionSpec = sluice.fn.v1.IFunctionSpec;

export const StateKind = sluice.fn.v1.StateKind;
export const StateOp = sluice.fn.v1.StateOp;
export const Severity = sluice.fn.v1.Severity;

/** Transform ids of the processor's inputs on the Data stream. */
export const INPUT_TRANSFORM_ID = 'input';
/** The second input of a two-input processor (RegisterRequest.two_input). */
export const INPUT2_TRANSFORM_ID = 'input2';
export const TIMERS_TRANSFORM_ID = 'timers';
