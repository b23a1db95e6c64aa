/** A bot reply as a person reads it: without the hidden line that lets the outbox find it again. */
export function replyText(body: string): string {
  return body.replace(/\n\n<!-- cc-ci-bot:reply [^>]*-->$/, "");
}
