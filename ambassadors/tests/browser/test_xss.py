"""Hostile text in every field stays inert in a real browser: no dialog ever fires."""

import pytest

from ambassadors.tests.hostile import build_hostile_data, pages_for


@pytest.mark.django_db(transaction=True)
def test_no_dialog_fires_on_any_page_that_shows_hostile_input(browser, live_server, login):
    data = build_hostile_data()
    pages = pages_for(data)
    dialogs: list[str] = []
    visited = 0
    for role, user in (("ambassador", data["ambassador"].user), ("comms", data["comms"])):
        context = browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        login(page, user)
        for path in pages[role]:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            visited += 1
        context.close()
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in pages["anonymous"]:
        assert page.goto(live_server.url + path).status == 200, path
        page.wait_for_load_state("networkidle")
        visited += 1
    context.close()
    assert visited == sum(len(paths) for paths in pages.values())
    assert dialogs == []
