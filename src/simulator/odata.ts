// Dataverse-shaped answers: OData error bodies, and the small `$filter` subset we use
// (`field eq 'value'` joined by `and` / `or`, optionally parenthesised).
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ODATA_JSON = "application/json; odata.metadata=minimal; charset=utf-8";

export function odataError(c: Context, status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify({ error: { code, message } }), status, { "Content-Type": ODATA_JSON, "OData-Version": "4.0", ...headers });
}

export class FilterSyntaxError extends Error {}

type Row = Record<string, unknown>;
export type Predicate = (row: Row) => boolean;

/** Parses `$filter` into a predicate over rows; refuses anything outside the subset or unknown fields. */
export function parseFilter(filter: string, fields: readonly string[]): Predicate {
  const tokens = tokenize(filter);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++];

  function expression(): Predicate {
    let left = term();
    while (peek()?.toLowerCase() === "or") {
      next();
      const right = term();
      const l = left;
      left = (row) => l(row) || right(row);
    }
    return left;
  }
  function term(): Predicate {
    let left = factor();
    while (peek()?.toLowerCase() === "and") {
      next();
      const right = factor();
      const l = left;
      left = (row) => l(row) && right(row);
    }
    return left;
  }
  function factor(): Predicate {
    const token = next();
    if (token === "(") {
      const inner = expression();
      if (next() !== ")") throw new FilterSyntaxError("missing closing parenthesis");
      return inner;
    }
    if (token === undefined || !/^[a-z_][a-z0-9_]*$/i.test(token)) throw new FilterSyntaxError(`expected a property name, found ${token ?? "end of filter"}`);
    if (!fields.includes(token)) throw new FilterSyntaxError(`Could not find a property named '${token}' on type 'Microsoft.Dynamics.CRM'`);
    if (next()?.toLowerCase() !== "eq") throw new FilterSyntaxError("only the 'eq' operator is supported here");
    const literal = next();
    if (literal === undefined || !literal.startsWith("'")) throw new FilterSyntaxError("expected a string literal");
    const value = literal.slice(1, -1).replaceAll("''", "'");
    return (row) => row[token] === value;
  }

  const predicate = expression();
  if (position !== tokens.length) throw new FilterSyntaxError(`unexpected '${peek()}'`);
  return predicate;
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "(" || ch === ")") {
      tokens.push(ch);
      i++;
    } else if (ch === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new FilterSyntaxError("unterminated string literal");
        if (text[j] === "'") {
          if (text[j + 1] === "'") j += 2;
          else break;
        } else j++;
      }
      tokens.push(text.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()']/.test(text[j]!)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}
