import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PhoneField } from "./PhoneField";

const control = <T,>(value: T) => ({ value, onChange: () => undefined, onBlur: () => undefined });

afterEach(() => vi.restoreAllMocks());

describe("PhoneField", () => {
  it("builds no Intl formatter in its first rendering: the countries' codes show until their names come", () => {
    const displayNames = vi.spyOn(Intl, "DisplayNames");
    const html = renderToStaticMarkup(<PhoneField countries={["FR", "DE"]} locale="fr-FR" country={control("FR")} phone={control("")} />);
    expect(displayNames).not.toHaveBeenCalled();
    expect(html).toContain('<option value="FR" selected="">FR</option><option value="DE">DE</option>');
    expect(html).toContain('id="cw-phone"');
  });
});
