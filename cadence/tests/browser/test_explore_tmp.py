import pytest
from cadence.tests.browser.helpers import AXE, sign_in, visit, check_a11y, log_for

pytestmark = pytest.mark.browser

def test_explore(live_server, world, new_page):
    page = new_page(java_script_enabled=False)
    r = page.goto(live_server.url + "/courses/")
    print("CSP", r.headers.get("content-security-policy"))
    res = AXE.run(page)
    print("nojs axe", res.violations_count, [(v["id"], v["impact"]) for v in res.response["violations"]])
    check_a11y(page)
    page2 = new_page()
    sign_in(page2, live_server.url, world.teacher)
    visit(page2, live_server.url + "/courses/data-literacy/")
    page2.evaluate("window.__marker = 1")
    item = world.items[1]
    page2.locator(f"#item-{item.pk}-up").focus()
    page2.keyboard.press("Enter")
    page2.wait_for_timeout(1000)
    print("marker", page2.evaluate("window.__marker"), "active", page2.evaluate("document.activeElement.outerHTML.slice(0,100)"))
    print(page2.locator(f"#module-{world.modules[0].pk} .items a").all_inner_texts())
    check_a11y(page2)
    print(log_for(page2).errors)
