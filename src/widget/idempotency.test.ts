import { describe, expect, it } from "vitest";
import { createAttemptKeys } from "./idempotency";

describe("createAttemptKeys", () => {
  const counter = () => {
    let n = 0;
    return () => `key-${++n}`;
  };

  it("keeps the key when the same request is resent after no answer", () => {
    const keys = createAttemptKeys(counter());
    expect(keys.keyFor("a")).toBe("key-1");
    expect(keys.keyFor("a")).toBe("key-1");
  });

  it("starts a new attempt when the request changes or was answered", () => {
    const keys = createAttemptKeys(counter());
    expect(keys.keyFor("a")).toBe("key-1");
    expect(keys.keyFor("b")).toBe("key-2");
    keys.answered();
    expect(keys.keyFor("b")).toBe("key-3");
  });

  it("uses random UUIDs by default", () => {
    expect(createAttemptKeys().keyFor("a")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
