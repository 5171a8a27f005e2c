"""Take the README's screenshots from a running Keyline (e.g. `make run`) with the demo data.

.venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000]
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "keyline-demo-2026"  # noqa: S105 - the printed demo password

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

SHOTS = [
    # (login, path, file name[, viewport]); {client} is the partner's first client, {plan} its plan
    ("bd@keyline.example", "/dashboard/", "dashboard.png"),
    ("bd@keyline.example", "/clients/", "client-list.png"),
    ("partner@keyline.example", "/clients/{client}/", "client-detail.png"),
    ("partner@keyline.example", "/clients/{client}/stakeholders/", "org-chart.png"),
    ("partner@keyline.example", "{plan}", "plan.png"),
    ("mp@keyline.example", "/overview/", "overview.png"),
    ("partner@keyline.example", "/home/", "partner-home.png"),
    ("partner@keyline.example", "/clients/{client}/", "client-detail-phone.png", PHONE),
    ("bd@keyline.example", "/dashboard/", "dashboard-phone.png", PHONE),
]


def _shrink(path: Path) -> None:
    """Keep the PNGs small: 256 colours are plenty for a UI screenshot."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--shot", action="append", default=[], help="extra EMAIL:PATH:FILE shots")
    options = parser.parse_args()
    shots = SHOTS + [tuple(extra.split(":", 2)) for extra in options.shot]
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for email, path, name, *size in shots:
            viewport = size[0] if size else DESKTOP
            context = browser.new_context(base_url=options.base, viewport=viewport)
            page = context.new_page()
            page.goto("/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state("networkidle")
            if "{client}" in path or "{plan}" in path:
                page.goto("/clients/?mine=1&status=active")
                href = page.locator("#client-table tbody a").first.get_attribute("href")
                client_id = href.strip("/").split("/")[-1]
                if "{plan}" in path:
                    page.goto(f"/clients/{client_id}/plans/")
                    links = page.locator("a[href^='/plans/']")
                    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
                    path = next(m.group(0) for h in hrefs if (m := re.match(r"/plans/\d+/", h)))
                else:
                    path = path.replace("{client}", client_id)
            page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=False)
            _shrink(OUT / name)
            print(f"saved docs/screenshots/{name}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
