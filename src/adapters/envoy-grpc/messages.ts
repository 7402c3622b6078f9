/**
 * The ext_authz v3 messages as @grpc/proto-loader hands them over (keepCase, enums as strings,
 * unset fields absent). Only the fields Tollgate reads or writes; proto/ holds the wire schema.
 * Well-known types (Struct, BoolValue) keep protobufjs's camelCase field names.
 */

export interface StructMessage { fields?: Record<string, ValueMessage> }

export interface ValueMessage {
  nullValue?: 'NULL_VALUE' | 0;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: StructMessage;
  listValue?: { values?: ValueMessage[] };
}

export interface HeaderValueMessage { key?: string; value?: string; raw_value?: Buffer }

export interface HeaderValueOptionMessage { header: HeaderValueMessage; append: { value: boolean } }

export interface PeerMessage {
  address?: {
    socket_address?: { address?: string; port_value?: number };
    pipe?: { path?: string };
  };
  principal?: string;
  certificate?: string;
}

export interface HttpRequestMessage {
  id?: string;
  method?: string;
  headers?: Record<string, string>;
  header_map?: { headers?: HeaderValueMessage[] };
  path?: string;
  host?: string;
  scheme?: string;
  protocol?: string;
  body?: string;
  raw_body?: Buffer;
}

export interface MetadataMessage { filter_metadata?: Record<string, StructMessage> }

export interface CheckRequestMessage {
  attributes?: {
    source?: PeerMessage;
    destination?: PeerMessage;
    request?: { http?: HttpRequestMessage };
    context_extensions?: Record<string, string>;
    metadata_context?: MetadataMessage;
    route_metadata_context?: MetadataMessage;
  };
}

export interface CheckResponseMessage {
  status: { code: number; message: string };
  ok_response?: {
    headers: HeaderValueOptionMessage[];
    headers_to_remove: string[];
    response_headers_to_add: HeaderValueOptionMessage[];
  };
  denied_response?: {
    status: { code: number };
    headers: HeaderValueOptionMessage[];
    body: string;
  };
  dynamic_metadata: StructMessage;
}

/** gRPC status codes a CheckResponse carries (google.rpc.Code). */
export const RpcCode = { OK: 0, PERMISSION_DENIED: 7, UNAUTHENTICATED: 16 } as const;
