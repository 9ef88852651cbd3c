/**
 * A compact `tools/list`: the SDK lists every schema with a `$schema` key, ±2^53 bounds on every
 * integer and `additionalProperties: false` on every result, which an agent pays for on each turn
 * and learns nothing from. This lists the same tools with those left out (`execution` too, unless
 * the tool can be called as a task: its absence means no task support).
 *
 * @module
 */
import { z } from "zod";
import { ListToolsRequestSchema, type McpServer, type RegisteredTool } from "./sdk.ts";

type JsonSchema = { [key: string]: unknown };

/**
 * Removes what carries no information for a client from a JSON Schema, in place: the `$schema`
 * key, integer bounds at ±`Number.MAX_SAFE_INTEGER`, `propertyNames: {type: "string"}` (every
 * JSON key is a string) and `additionalProperties: false` (the arguments are the properties
 * listed; an unknown one is refused with an error naming it); in results (`output`), `required`
 * — results may carry more fields than listed, and a client reads what it finds — an empty
 * `properties`, and the `type` beside an `enum` or `const`, which already say it. A value or
 * `null` is listed as one schema whose `type` allows `"null"`.
 *
 * @example Usage
 * ```ts
 * import { compactSchema } from "./tool_list.ts";
 * import assert from "node:assert/strict";
 * const schema = {
 *   $schema: "http://json-schema.org/draft-07/schema#",
 *   type: "object",
 *   properties: { lines: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
 *   additionalProperties: false,
 * };
 * assert.deepEqual(compactSchema(schema, "input"), {
 *   type: "object",
 *   properties: { lines: { type: "integer", minimum: 1 } },
 * });
 * ```
 */
export function compactSchema(schema: JsonSchema, io: "input" | "output"): JsonSchema {
  delete schema.$schema;
  if (schema.minimum === -Number.MAX_SAFE_INTEGER) delete schema.minimum;
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  const names = schema.propertyNames as JsonSchema | undefined;
  if (names?.type === "string" && Object.keys(names).length === 1) delete schema.propertyNames;
  if (schema.additionalProperties === false) delete schema.additionalProperties;
  if (io === "output") {
    if (Array.isArray(schema.required)) delete schema.required;
    const properties = schema.properties as JsonSchema | undefined;
    if (properties !== undefined && Object.keys(properties).length === 0) delete schema.properties;
    // Input schemas keep theirs: some hosts read a parameter's type before anything else.
    if (schema.enum !== undefined || schema.const !== undefined) delete schema.type;
  }
  // `{}` allows anything, which is what leaving it out means.
  const extra = schema.additionalProperties;
  if (typeof extra === "object" && extra !== null && Object.keys(extra).length === 0) {
    delete schema.additionalProperties;
  }
  for (const value of Object.values(schema)) {
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (typeof child === "object" && child !== null) compactSchema(child as JsonSchema, io);
    }
  }
  collapseNullable(schema);
  return schema;
}

/**
 * `anyOf: [{type: "integer"}, {type: "null"}]` says no more than `type: ["integer", "null"]`; a
 * nullable object or enum becomes the one schema with `"null"` added to its `type` (or `enum`).
 */
function collapseNullable(schema: JsonSchema): void {
  const branches = schema.anyOf;
  if (!Array.isArray(branches)) return;
  const bare = branches.every((branch) =>
    typeof branch?.type === "string" && Object.keys(branch).length === 1
  );
  if (bare) {
    schema.type = branches.map((branch) => branch.type);
    delete schema.anyOf;
    return;
  }
  if (branches.length !== 2) return;
  const [value, empty] = branches as [JsonSchema, JsonSchema];
  const isNull = empty.type === "null" && Object.keys(empty).length === 1;
  if (!isNull || "anyOf" in value || Object.keys(value).some((key) => key in schema)) return;
  delete schema.anyOf;
  Object.assign(schema, value);
  if (Array.isArray(value.enum)) schema.enum = [...value.enum, null];
  if (value.type !== undefined) schema.type = [value.type, "null"];
}

function jsonSchemaOf(schema: unknown, io: "input" | "output"): JsonSchema {
  const converted = z.toJSONSchema(schema as z.ZodType, { target: "draft-7", io });
  return compactSchema(converted as JsonSchema, io);
}

/**
 * Records every tool registered on `server` from now on and answers `tools/list` with compact
 * schemas. Call before registering the tools.
 *
 * @example Usage
 * ```ts
 * import { McpServer } from "./sdk.ts";
 * import { listToolsCompactly } from "./tool_list.ts";
 * const server = new McpServer({ name: "example", version: "1.0.0" });
 * listToolsCompactly(server);
 * ```
 */
export function listToolsCompactly(server: McpServer): void {
  const tools = new Map<string, RegisteredTool>();
  // Their overloads are all (name, config, callback); only the name matters here.
  const recording =
    (register: (...args: unknown[]) => RegisteredTool) => (name: string, ...rest: unknown[]) => {
      const tool = register(name, ...rest);
      tools.set(name, tool);
      // The SDK installs its own tools/list handler with the first tool; this one replaces it.
      server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed(tools) }));
      return tool;
    };
  server.registerTool = recording(
    server.registerTool.bind(server) as (...args: unknown[]) => RegisteredTool,
  ) as typeof server.registerTool;
  const tasks = server.experimental.tasks;
  tasks.registerToolTask = recording(
    tasks.registerToolTask.bind(tasks) as (...args: unknown[]) => RegisteredTool,
  ) as typeof tasks.registerToolTask;
}

function listed(tools: ReadonlyMap<string, RegisteredTool>) {
  return [...tools].filter(([, tool]) => tool.enabled).map(([name, tool]) => ({
    name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema === undefined
      ? { type: "object" as const }
      : jsonSchemaOf(tool.inputSchema, "input") as { type: "object" },
    ...(tool.outputSchema === undefined
      ? {}
      : { outputSchema: jsonSchemaOf(tool.outputSchema, "output") as { type: "object" } }),
    annotations: tool.annotations,
    // An MCP App's link (`_meta.ui.resourceUri`) is what a host renders the tool with.
    ...(tool._meta === undefined ? {} : { _meta: tool._meta }),
    ...(tool.execution?.taskSupport === undefined || tool.execution.taskSupport === "forbidden"
      ? {}
      : { execution: tool.execution }),
  }));
}
