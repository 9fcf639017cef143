// The two wires kubectl 1.32 speaks for exec/attach/cp: WebSocket by default, SPDY/3.1 when
// KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false. Suites run their tables over both.
export const REMOTE_COMMAND_WIRES: ReadonlyArray<{ wire: string; tag: string; env: Record<string, string> }> = [
  { wire: 'WebSocket', tag: 'ws', env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' } },
  { wire: 'SPDY/3.1', tag: 'spdy', env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } },
];
