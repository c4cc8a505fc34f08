/**
 * Where onnxruntime put a session's nodes, read from its verbose log: at session creation,
 * onnxruntime (1.31) writes under "Node placements" either "All nodes placed on [Provider].
 * Number of nodes: N" or one "Node(s) placed on [Provider]. Number of nodes: N" line per provider
 * (each followed by the nodes' names); both prefixes are in its wasm binary. onnxruntime-web
 * prints these to the page's console when `env.logLevel` is `'verbose'` and the session's
 * `logSeverityLevel` is 0.
 */

/** Nodes that onnxruntime placed on one execution provider. */
export interface Placement {
  /** onnxruntime's provider name: `WebGpuExecutionProvider`, `CPUExecutionProvider` (wasm), ... */
  provider: string;
  /** How many nodes, where the line says (undefined where it does not). */
  nodes?: number;
}

const PLACED = /(?:All nodes|Node\(s\)) placed on \[(\w+)\](?:\. Number of nodes: (\d+))?/;

/** The placements in `lines`, in the order logged (empty when the log has none). */
export function parsePlacements(lines: readonly string[]): Placement[] {
  const placements: Placement[] = [];
  for (const line of lines) {
    const match = PLACED.exec(line);
    if (match !== null)
      placements.push({ provider: match[1], nodes: match[2] === undefined ? undefined : Number(match[2]) });
  }
  return placements;
}
