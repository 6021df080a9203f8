/**
 * Business tools an admin declares in voicebot.conf (`[tool:NAME]` sections). The model sees name,
 * description and parameters; arguments are validated against these before any request is made.
 */
export type ToolParamType = 'string' | 'integer' | 'number' | 'boolean';

export interface ToolParam {
  name: string;
  type: ToolParamType;
  description: string;
  required: boolean;
  /** string only: the value must be one of these (case-insensitive match, returned as listed). */
  values?: readonly string[] | undefined;
  /** string only. */
  minLength?: number | undefined;
  maxLength?: number | undefined;
  /** string only: a regular expression the whole value must match. */
  pattern?: string | undefined;
  /** integer/number only. */
  minimum?: number | undefined;
  maximum?: number | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ToolHeader {
  name: string;
  value: string;
  /** Read from a file (a token): never logged, never stored. */
  secret: boolean;
}

export interface HttpToolSpec {
  /** [a-z][a-z0-9_]{0,63}; not end_call / transfer_call. */
  name: string;
  description: string;
  params: readonly ToolParam[];
  method: HttpMethod;
  /**
   * URL with `{param}` placeholders. Placeholders may only stand in the path or the query (the
   * scheme, host and port are literal), and their values are percent-encoded.
   */
  urlTemplate: string;
  headers: readonly ToolHeader[];
  timeoutMs: number;
  /** Said when the request takes longer than waitAfterMs ('' = say nothing). */
  waitText: string;
  waitAfterMs: number;
  /** Response body bytes passed to the model; the rest is cut. */
  maxResponseBytes: number;
}

/** Stable codes of one tool execution; every one of them becomes a short result the model can talk about. */
export type ToolResultCode =
  | 'OK'
  | 'TOOL_BAD_ARGUMENTS' // missing, unknown, wrong type or out of range: no request was made
  | 'TOOL_HOST_REFUSED' // the URL's host is not on tool_allowed_hosts: no request was made
  | 'TOOL_TIMEOUT' // no complete response within timeoutMs
  | 'TOOL_HTTP_ERROR' // the server answered with a status outside 2xx (redirects are not followed)
  | 'TOOL_UNREACHABLE' // connection refused, DNS failure, reset
  | 'TOOL_ABORTED'; // the caller hung up or barged in

export interface ToolResult {
  code: ToolResultCode;
  /** What the model is given as the tool's answer: the (capped) body, or one short sentence on failure. */
  content: string;
  httpStatus?: number | undefined;
  durationMs: number;
}
