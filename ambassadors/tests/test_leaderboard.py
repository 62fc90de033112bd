"""The leaderboard: names only for those who allow it, everyone sees their own place,
no bottom list, and the same number of queries for 10 or 1,000 shares."""

import pytest
import time_machine

from ambassadors.models import Share
from ambassadors.tests import report_data
from ambassadors.tests.factories import AmbassadorFactory
from ambassadors.tests.report_data import NOW, at

LEADERBOARD_QUERIES = 10  # + the rollup horizon, + the newest folded click day


@pytest.fixture
def data(db):
    with time_machine.travel(NOW, tick=False):
        yield report_data.build()


def board_rows(response, key="board"):
    """Only the metric of the board is computed; the other one is 0."""
    board = response.context[key]
    return [
        (entry.place, entry.name, entry.shares, entry.clicks, entry.is_me) for entry in board.top
    ]


def test_only_people_who_allow_it_are_named(client_as, data):
    chris = data["people"]["chris"]
    response = client_as(chris.user).get("/leaderboard/")
    assert response.status_code == 200
    assert board_rows(response) == [
        (1, "Anna Smit", 3, 0, False),
        (2, "", 2, 0, False),  # Bram did not switch the leaderboard on
        (3, "Chris Open", 1, 0, True),
    ]
    html = response.content.decode()
    assert "Anna Smit" in html
    assert "Bram" not in html
    assert "Hidden" not in html
    assert "An ambassador" in html
    assert "You are in place 3." in html


def test_a_hidden_person_still_sees_their_own_place(client_as, data):
    bram = data["people"]["bram"]
    response = client_as(bram.user).get("/leaderboard/")
    me = response.context["board"].me
    assert (me.place, me.name, me.is_me) == (2, "", True)
    html = response.content.decode()
    assert "You are in place 2." in html
    assert "Bram Hidden" not in html
    assert "Others see you as “An ambassador”" in html


def test_former_ambassadors_are_never_ranked(client_as, data):
    """The former ambassador's 4 clicks would tie for first place."""
    response = client_as(data["people"]["anna"].user).get("/leaderboard/", {"by": "clicks"})
    assert board_rows(response) == [
        (1, "Anna Smit", 0, 4, True),
        (1, "", 0, 4, False),
        (3, "Chris Open", 0, 1, False),
    ]
    assert "former ambassador" not in response.content.decode()


def test_all_time_counts_earlier_months(client_as, data):
    response = client_as(data["people"]["anna"].user).get("/leaderboard/", {"period": "all"})
    assert board_rows(response)[0] == (1, "Anna Smit", 4, 0, True)


def test_departments(client_as, data):
    response = client_as(data["people"]["anna"].user).get("/leaderboard/")
    assert board_rows(response, "departments") == [
        (1, "Sales", 4, 0, True),  # Anna and the former ambassador
        (2, "Engineering", 2, 0, False),
    ]
    response = client_as(data["people"]["chris"].user).get("/leaderboard/")
    assert response.context["departments"].me is None


def test_someone_without_shares_is_told_kindly(client_as, data):
    response = client_as(data["people"]["dora"].user).get("/leaderboard/")
    assert response.context["board"].me is None
    assert "You are not on this board yet. Share something and you will be." in (
        response.content.decode()
    )


def test_own_place_is_shown_below_the_top_ten(client_as, data):
    item = data["items"]["a"]
    keen = [AmbassadorFactory(leaderboard_visible=True) for _ in range(11)]
    Share.objects.bulk_create(
        [
            Share(ambassador=person, item=item, network="linkedin", created_at=at(1 + day, 8))
            for n, person in enumerate(keen)
            for day in range(n + 4)
        ]
    )
    chris = data["people"]["chris"]
    with time_machine.travel(NOW, tick=False):
        response = client_as(chris.user).get("/leaderboard/")
    board = response.context["board"]
    assert [entry.place for entry in board.top] == list(range(1, 11))
    assert [entry.shares for entry in board.top] == list(range(14, 4, -1))
    assert (board.me.place, board.me.shares) == (14, 1)
    assert board.me_below_top
    assert "You are in place 14." in response.content.decode()


def test_a_crowd_tied_at_the_top_fills_the_board_and_the_rest_is_counted(client_as, data):
    """Fifteen people with the same number share place 1: the board shows ten of them and
    says how many more; a tied viewer who does not fit still sees their place below."""
    item = data["items"]["a"]
    crowd = [AmbassadorFactory(leaderboard_visible=True) for _ in range(15)]
    Share.objects.bulk_create(
        [
            Share(ambassador=person, item=item, network="linkedin", created_at=at(1 + day, 8))
            for person in crowd
            for day in range(5)
        ]
    )
    last = crowd[-1]  # ties are listed in the order people joined: the last does not fit
    with time_machine.travel(NOW, tick=False):
        response = client_as(last.user).get("/leaderboard/")
    board = response.context["board"]
    assert [(entry.place, entry.shares) for entry in board.top] == [(1, 5)] * 10
    assert [entry.is_me for entry in board.top] == [False] * 10
    assert board.more_tied == 5
    assert (board.me.place, board.me.shares, board.me_below_top) == (1, 5, True)
    html = response.content.decode()
    assert "And 5 more in place 1 with the same number." in html
    assert "You are in place 1." in html

    with time_machine.travel(NOW, tick=False):
        response = client_as(crowd[0].user).get("/leaderboard/?period=month&by=shares")
    board = response.context["board"]
    assert (board.top[0].is_me, board.more_tied, board.me_below_top) == (True, 5, False)


def test_no_line_about_ties_when_everyone_fits(client_as, data):
    chris = data["people"]["chris"]
    response = client_as(chris.user).get("/leaderboard/")
    assert response.context["board"].more_tied == 0
    assert "more in place" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("shares", [10, 1000])
def test_leaderboard_queries_do_not_grow(client_as, django_assert_num_queries, shares):
    with time_machine.travel(NOW, tick=False):
        report_data.bulk_activity(shares=shares)
        viewer = AmbassadorFactory()
        client = client_as(viewer.user)
        with django_assert_num_queries(LEADERBOARD_QUERIES):
            response = client.get("/leaderboard/", {"by": "clicks"})
    assert len(response.context["board"].top) == 5  # the ambassadors that own links


@pytest.mark.django_db
def test_leaderboard_is_for_ambassadors(client, client_as, employee):
    response = client.get("/leaderboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client_as(employee).get("/leaderboard/")
    assert response["Location"] == "/join/"
