// Step spans: the reference's schema, trace id mapping (uuid5 vectors from Python) and its JSON line format.
import { describe, expect, it } from "vitest";
import { Trace } from "../eval/trace.ts";
import { pythonJsonLine } from "./python-json-line.ts";
import { normalizeTraceId, stepSpan, uuid5Hex } from "./span.ts";

describe("normalizeTraceId", () => {
  it("keeps 32-hex ids, lowercased and without dashes", () => {
    expect(normalizeTraceId("0123456789ABCDEF0123456789abcdef")).toBe("0123456789abcdef0123456789abcdef");
    expect(normalizeTraceId("03dd2a73-d3df-4d10-a54a-e3d87c2d530d")).toBe("03dd2a73d3df4d10a54ae3d87c2d530d");
  });

  it("hashes anything else with uuid5(NAMESPACE_URL, 'hud.task_run:' + the id as given)", () => {
    // Values from Python: uuid.uuid5(uuid.NAMESPACE_URL, "hud.task_run:abc").hex, and likewise.
    expect(normalizeTraceId("abc")).toBe("8121658521d75715a73a68c4c57dd2e3");
    expect(normalizeTraceId("trace-é-1")).toBe("492586189ddd5c08aef60c7623059464");
    expect(normalizeTraceId("0x0123456789abcdef0123456789abcd")).toBe("015c00d1741d536d9c58f77b7e9ed18d");
  });

  it("uuid5 sets the version and variant bits", () => {
    const hex = uuid5Hex("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "x");
    expect(hex).toMatch(/^[0-9a-f]{12}5[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });
});

describe("stepSpan", () => {
  it("wraps a step in the hud.step.v1 span, every key present in the reference's order", () => {
    const trace = new Trace("run-1");
    const step = trace.record({ source: "user", messages: [], started_at: "2025-01-01T00:00:00.000Z" });
    const span = stepSpan(step, "run-1");
    expect(Object.keys(span)).toEqual([
      "name",
      "trace_id",
      "span_id",
      "parent_span_id",
      "kind",
      "start_time",
      "end_time",
      "status_code",
      "status_message",
      "attributes",
      "events",
    ]);
    expect(span).toEqual({
      name: "step.user",
      trace_id: normalizeTraceId("run-1"),
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      parent_span_id: null,
      kind: "INTERNAL",
      start_time: "2025-01-01T00:00:00.000Z",
      end_time: step.ended_at,
      status_code: "OK",
      status_message: null,
      attributes: { "hud.schema": "hud.step.v1", "hud.task_run_id": "run-1", "hud.payload": step },
      events: [],
    });
  });

  it("marks a step with an error ERROR, with the error as message", () => {
    const step = new Trace("t").record({ source: "system", error: "boom" });
    expect(stepSpan(step, "t")).toMatchObject({ status_code: "ERROR", status_message: "boom" });
  });
});

describe("pythonJsonLine", () => {
  it("writes what Python's json.dumps(value, ensure_ascii=False) writes", () => {
    const value = {
      a: 1.5,
      b: 1e-7,
      c: 'é\u2028\u0001"\\\n',
      d: [1, 2],
      e: null,
      g: 123456789.123,
      h: true,
      i: -2.5e-5,
      j: 1.5e300,
      k: {},
      l: [],
      skipped: undefined,
    };
    expect(pythonJsonLine(value)).toBe(
      '{"a": 1.5, "b": 1e-07, "c": "é\u2028\\u0001\\"\\\\\\n", "d": [1, 2], "e": null, "g": 123456789.123, "h": true, "i": -2.5e-05, "j": 1.5e+300, "k": {}, "l": []}',
    );
    expect(JSON.parse(pythonJsonLine(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });
});
