// Tests for the money helpers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cartTotal, formatPrice } from "../src/price.js";

test("whole and simple amounts", () => {
  assert.equal(formatPrice(0), "$0.00");
  assert.equal(formatPrice(7), "$7.00");
  assert.equal(formatPrice(12.5), "$12.50");
});

test("thousands are separated", () => {
  assert.equal(formatPrice(1234567.25), "$1,234,567.25");
});

test("amounts are rounded to the nearest cent", () => {
  assert.equal(formatPrice(19.999), "$20.00");
  assert.equal(formatPrice(2.994), "$2.99");
});

test("prices that are not exact in binary still show their cents", () => {
  assert.equal(formatPrice(4.35), "$4.35");
  assert.equal(formatPrice(0.1 + 0.2), "$0.30");
});

test("refunds are negative", () => {
  assert.equal(formatPrice(-3.5), "-$3.50");
});

test("a cart total adds up its lines", () => {
  assert.equal(
    cartTotal([
      { price: 1.15, quantity: 3 },
      { price: 19.99, quantity: 1 },
    ]),
    "$23.44",
  );
});
