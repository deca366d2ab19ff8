// Entry point `hud/testing`: offline helpers for testing your own environments and agents.
export { serveForTest, type TestEnvironment } from "./serve-for-test.ts";
