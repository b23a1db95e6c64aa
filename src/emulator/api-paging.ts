import type { Context } from "hono";

/** `page` and `limit` as Gitea reads them: page from 1, limit capped at MAX_RESPONSE_ITEMS (50). */
export function paging(c: Context): { page: number; limit: number } {
  const page = Math.max(1, Number(c.req.query("page") ?? 1) || 1);
  const limit = Math.min(50, Math.max(1, Number(c.req.query("limit") ?? 30) || 30));
  return { page, limit };
}

/**
 * One page of a list with Gitea's paging headers: `X-Total-Count`, and a `Link` with
 * absolute URLs (query keys sorted, as Go encodes them) when there is more than one page:
 * next and last while a later page exists, first and prev past the first page.
 */
export function paged<T, U>(c: Context, base: string, items: readonly T[], map: (item: T) => U): U[] {
  const { page, limit } = paging(c);
  const pages = Math.max(1, Math.ceil(items.length / limit));
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams({ ...c.req.query(), limit: String(limit), page: String(p) });
    q.sort();
    return `<${base}${c.req.path}?${q.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(page < pages ? [link(page + 1, "next"), link(pages, "last")] : []),
    ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : []),
  ];
  if (links.length > 0) c.header("link", links.join(","));
  c.header("x-total-count", String(items.length));
  return items.slice((page - 1) * limit, page * limit).map(map);
}
