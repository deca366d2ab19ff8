// Tests for the calendar helpers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dateRange, nights } from "../src/dates.js";

test("a range includes both its first and its last day", () => {
  assert.deepEqual(dateRange("2024-02-27", "2024-03-01"), [
    "2024-02-27",
    "2024-02-28",
    "2024-02-29",
    "2024-03-01",
  ]);
});

test("a range of one day is that day", () => {
  assert.deepEqual(dateRange("2024-05-05", "2024-05-05"), ["2024-05-05"]);
});

test("a range that ends before it starts is empty", () => {
  assert.deepEqual(dateRange("2024-05-06", "2024-05-05"), []);
});

test("a bad date is refused", () => {
  assert.throws(() => dateRange("2024-13-01", "2024-12-31"), RangeError);
});

test("nights count the stay across a new year", () => {
  assert.equal(nights("2024-12-30", "2025-01-02"), 3);
});

test("checking out the day you check in is zero nights", () => {
  assert.equal(nights("2024-07-01", "2024-07-01"), 0);
});
