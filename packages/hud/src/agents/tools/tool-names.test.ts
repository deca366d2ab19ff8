import { describe, expect, it } from "vitest";
import { assertUniqueNames, providerToolName } from "./tool-names.ts";

describe("providerToolName (the Python SDK's rule; expected values computed with python3's hashlib)", () => {
  it.each([
    ["ok_name-1", "ok_name-1"],
    ["weather__get forecast", "weather__get_forecast_d4d876d1"],
    ["dots.and.more", "dots_and_more_97529cd8"],
    ["___", "tool_bda25155"],
    ["a".repeat(70), `${"a".repeat(55)}_6bd5e503`],
  ])("%s → %s", (name, expected) => {
    expect(providerToolName(name)).toBe(expected);
  });

  it("refuses two tools with one provider name", () => {
    expect(() => assertUniqueNames(["a", "b", "a"])).toThrow("two tools are both named 'a' for the model");
  });
});
