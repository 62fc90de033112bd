import pytest


@pytest.mark.django_db(transaction=True)
def test_ambassador_signs_in_and_sees_the_feed(page, live_server, login):
    from ambassadors.tests.factories import AmbassadorFactory, GuidelinesFactory, ItemFactory

    GuidelinesFactory(version=1)
    ambassador = AmbassadorFactory(user__email="browser@example.com")
    ItemFactory(live=True, title="A story worth sharing")
    login(page, ambassador.user)
    assert page.get_by_role("heading", name="Ready to share").is_visible()
    assert page.get_by_text("A story worth sharing").is_visible()
