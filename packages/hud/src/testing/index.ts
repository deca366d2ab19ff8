// Entry point `hud/testing`: offline helpers for testing your own environments and agents.
export type {
  FakeAnswer,
  FakeApi,
  FakeApiKey,
  FakeConversation,
  FakeFault,
  FakeHang,
  FakeImage,
  FakeMessage,
  FakePart,
  FakePolicy,
  FakeReply,
  FakeTool,
  FakeToolCall,
  FakeUsage,
} from "./fake-model-server/conversation.ts";
export {
  type FakeModelServer,
  type FakeModelServerOptions,
  startFakeModelServer,
} from "./fake-model-server/server.ts";
export { serveForTest, type TestEnvironment } from "./serve-for-test.ts";
