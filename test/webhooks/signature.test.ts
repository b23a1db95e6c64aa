import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/webhooks/signature.ts";
import { FIXTURE_SECRET, fixture, fixtureNames } from "../support/fixtures.ts";
import { hmac } from "../support/post.ts";

describe("signature verification", () => {
  it.each(fixtureNames())("the real Gitea 1.15.11 delivery %s verifies with the capture's secret", (name) => {
    const f = fixture(name);
    expect(verifySignature(f.body, f.headers, [FIXTURE_SECRET])).toEqual({ ok: true });
  });

  it.each(fixtureNames())("%s with one byte changed does not verify", (name) => {
    const f = fixture(name);
    const tampered = Buffer.from(f.body);
    tampered[Math.floor(tampered.length / 2)]! ^= 0x01;
    expect(verifySignature(tampered, f.headers, [FIXTURE_SECRET]).ok).toBe(false);
  });

  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const good = hmac("s3cret", body);
  it.each([
    { name: "X-Gitea-Signature", headers: { "x-gitea-signature": good }, ok: true },
    { name: "X-Forgejo-Signature", headers: { "x-forgejo-signature": good }, ok: true },
    { name: "X-Gogs-Signature", headers: { "x-gogs-signature": good }, ok: true },
    { name: "X-Hub-Signature-256 with sha256= prefix", headers: { "x-hub-signature-256": `sha256=${good}` }, ok: true },
    { name: "upper-case hex", headers: { "x-gitea-signature": good.toUpperCase() }, ok: true },
    { name: "X-Hub-Signature-256 without prefix", headers: { "x-hub-signature-256": good }, ok: false },
    { name: "SHA-1 X-Hub-Signature alone", headers: { "x-hub-signature": "sha1=" + "0".repeat(40) }, ok: false },
    { name: "empty digest", headers: { "x-gitea-signature": "" }, ok: false },
    { name: "empty digest after prefix", headers: { "x-hub-signature-256": "sha256=" }, ok: false },
    { name: "missing header", headers: {}, ok: false },
    { name: "truncated digest", headers: { "x-gitea-signature": good.slice(0, 63) }, ok: false },
    { name: "digest of another body", headers: { "x-gitea-signature": hmac("s3cret", "{}") }, ok: false },
  ])("$name -> ok=$ok", ({ headers, ok }) => {
    expect(verifySignature(body, headers, ["s3cret"]).ok).toBe(ok);
  });

  it("an empty digest is refused even when a later header carries a valid one", () => {
    const r = verifySignature(body, { "x-gitea-signature": "", "x-hub-signature-256": `sha256=${good}` }, ["s3cret"]);
    expect(r).toEqual({ ok: false, reason: "x-gitea-signature is empty" });
  });

  it("passes with either of two configured secrets (rotation) and fails with neither", () => {
    expect(verifySignature(body, { "x-gitea-signature": hmac("old", body) }, ["old", "new"]).ok).toBe(true);
    expect(verifySignature(body, { "x-gitea-signature": hmac("new", body) }, ["old", "new"]).ok).toBe(true);
    expect(verifySignature(body, { "x-gitea-signature": hmac("other", body) }, ["old", "new"]).ok).toBe(false);
  });

  it("fails closed when no secret is configured", () => {
    const r = verifySignature(body, { "x-gitea-signature": good }, []);
    expect(r.ok).toBe(false);
    expect(r).toHaveProperty("reason", expect.stringContaining("no webhook secret is configured"));
  });
});
