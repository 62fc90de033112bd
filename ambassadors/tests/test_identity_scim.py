"""SCIM 2.0 provisioning (/scim/v2/): the request shapes Entra ID and Okta document,
bearer tokens (hashed, revocable), and refusals that change nothing."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session

from ambassadors.identity.scim_auth import scim_token_create, scim_token_hash, scim_token_revoke
from ambassadors.models import Ambassador, Department, ScimToken, User
from ambassadors.tests.factories import AmbassadorFactory, DepartmentFactory, UserFactory

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
ENTRA_CREATE = {
    "schemas": [CORE, ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@example.com",
    "active": True,
    "emails": [
        {
            "primary": True,
            "type": "work",
            "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@example.com",
        }
    ],
    "meta": {"resourceType": "User"},
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName",
    },
    "displayName": "Test User",
    "title": "Engineer",
    "preferredLanguage": "nl-NL",
    "phoneNumbers": [{"type": "work", "value": "+31 20 123 4567"}],
    "addresses": [{"type": "work", "streetAddress": "Dam 1", "country": "NL"}],
    ENTERPRISE: {"department": "Sales", "employeeNumber": "42", "manager": {"value": "7"}},
}

# https://developer.okta.com/docs/reference/scim/scim-20/
OKTA_CREATE = {
    "schemas": [CORE],
    "userName": "test.user@example.com",
    "name": {"givenName": "Test", "familyName": "User"},
    "emails": [{"primary": True, "value": "test.user@example.com", "type": "work"}],
    "displayName": "Test User",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}


@pytest.fixture
def token(db):
    _row, token = scim_token_create(name="Entra ID", by=None)
    return token


@pytest.fixture
def scim(client, token):
    def call(method, path, body=None, *, auth=f"Bearer {token}", raw=None, **params):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"HTTP_AUTHORIZATION": auth} if auth else {}
        func = getattr(client, method)
        if method == "get":
            return func(f"/scim/v2/{path}", params, **kwargs)
        return func(f"/scim/v2/{path}", data or "", content_type="application/scim+json", **kwargs)

    return call


def snapshot():
    return sorted(
        User.objects.values_list(
            "email",
            "username",
            "first_name",
            "last_name",
            "display_name",
            "is_active",
            "department__name",
            "scim_external_id",
        )
    ), sorted(Department.objects.values_list("name", flat=True))


def test_token_is_stored_hashed_and_shown_once(db):
    row, token = scim_token_create(name="Okta", by=None)
    assert token.startswith("scim_")
    assert len(token) > 40
    assert row.token_hash == scim_token_hash(token) != token
    assert row.prefix == token[:12]
    assert token not in json.dumps(list(ScimToken.objects.values()), default=str)


@pytest.mark.parametrize(
    "auth",
    [None, "Bearer ", "Bearer scim_wrong", "Basic dXNlcjpwYXNz", "bearer"],
)
def test_bad_tokens_get_401_with_a_scim_error_and_change_nothing(scim, auth):
    before = snapshot()
    response = scim("post", "Users", OKTA_CREATE, auth=auth)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/scim+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert json.loads(response.content) == {
        "schemas": [ERROR],
        "detail": "A valid bearer token is required.",
        "status": "401",
    }
    assert snapshot() == before


def test_a_revoked_token_is_refused_at_once(scim, token):
    scim_token_revoke(token=ScimToken.objects.get())
    assert scim("get", "Users").status_code == 401


def test_a_signed_in_admin_session_is_not_a_token(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/scim/v2/Users").status_code == 401


def test_entra_create_sets_names_department_and_a_verified_address(scim):
    response = scim("post", "Users", ENTRA_CREATE)
    assert response.status_code == 201, response.content
    user = User.objects.get()
    body = json.loads(response.content)
    assert body == {
        "schemas": [CORE, ENTERPRISE],
        "id": str(user.pk),
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1@example.com",
        "name": {
            "givenName": "givenName",
            "familyName": "familyName",
            "formatted": "givenName familyName",
        },
        "displayName": "Test User",
        "emails": [
            {
                "value": "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@example.com",
                "primary": True,
                "type": "work",
            }
        ],
        "active": True,
        ENTERPRISE: {"department": "Sales"},
        "meta": {
            "resourceType": "User",
            "created": user.date_joined.isoformat(),
            "lastModified": user.date_joined.isoformat(),
            "location": f"http://testserver/scim/v2/Users/{user.pk}",
        },
    }
    assert response["Location"] == f"http://testserver/scim/v2/Users/{user.pk}"
    assert not user.has_usable_password()
    assert list(EmailAddress.objects.values_list("email", "verified", "primary")) == [
        ("test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@example.com", True, True)
    ]
    assert user.department.name == "Sales"


def test_okta_create_then_filter_by_username_finds_it(scim):
    assert scim("post", "Users", OKTA_CREATE).status_code == 201
    response = scim(
        "get", "Users", filter='userName eq "Test.User@example.com"', startIndex=1, count=100
    )
    body = json.loads(response.content)
    assert (body["totalResults"], body["itemsPerPage"], body["startIndex"]) == (1, 1, 1)
    assert body["Resources"][0]["userName"] == "test.user@example.com"
    assert body["Resources"][0]["name"]["givenName"] == "Test"
    none = json.loads(scim("get", "Users", filter='userName eq "nobody@example.com"').content)
    assert (none["totalResults"], none["Resources"]) == (0, [])


def test_create_twice_is_a_uniqueness_conflict(scim):
    assert scim("post", "Users", OKTA_CREATE).status_code == 201
    before = snapshot()
    response = scim("post", "Users", {**OKTA_CREATE, "externalId": "other"})
    assert response.status_code == 409
    assert json.loads(response.content)["scimType"] == "uniqueness"
    assert snapshot() == before


def test_create_adopts_a_password_account_with_the_same_address(scim, guidelines):
    person = AmbassadorFactory(user__email="test.user@example.com", user__first_name="")
    assert scim("post", "Users", OKTA_CREATE).status_code == 201
    assert User.objects.count() == 1
    user = User.objects.get()
    assert (user.pk, user.first_name, user.scim_external_id) == (
        person.user.pk,
        "Test",
        "00ujl29u0le5T6Aj10h7",
    )
    assert user.has_usable_password()  # the person's own password keeps working


def created(scim, body=OKTA_CREATE) -> User:
    response = scim("post", "Users", body)
    assert response.status_code == 201, response.content
    return User.objects.get(pk=json.loads(response.content)["id"])


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        # Entra ID: one op per attribute, path given, "Replace"/"Add" capitalised.
        (
            [
                {"op": "Replace", "path": "displayName", "value": "Tess User"},
                {"op": "Replace", "path": "name.givenName", "value": "Tess"},
                {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Marketing"},
            ],
            ("Tess", "User", "Tess User", "Marketing"),
        ),
        # Okta: no path, a value object.
        (
            [{"op": "replace", "value": {"displayName": "T. User", "name.familyName": "Usr"}}],
            ("Test", "Usr", "T. User", None),
        ),
        # Remove.
        (
            [
                {"op": "Remove", "path": "displayName"},
                {"op": "remove", "path": f"{ENTERPRISE}:department"},
            ],
            ("Test", "User", "", None),
        ),
        # The enterprise extension as a value object.
        (
            [{"op": "add", "value": {ENTERPRISE: {"department": "sales"}}}],
            ("Test", "User", "Test User", "Sales"),
        ),
    ],
)
def test_patch_add_replace_remove(scim, operations, expected):
    DepartmentFactory(name="Sales")
    user = created(scim)
    response = scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": operations})
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert (
        user.first_name,
        user.last_name,
        user.display_name,
        user.department.name if user.department_id else None,
    ) == expected
    assert Department.objects.filter(name__iexact="sales").count() == 1


def test_patch_changes_the_address_and_keeps_one_verified_one(scim):
    user = created(scim)
    operations = [
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "t.user@example.com"}
    ]
    assert (
        scim(
            "patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": operations}
        ).status_code
        == 200
    )
    assert list(EmailAddress.objects.values_list("email", "verified", "primary")) == [
        ("t.user@example.com", True, True)
    ]


def test_department_follows_to_the_ambassador(scim, guidelines):
    user = created(
        scim, {**OKTA_CREATE, ENTERPRISE: {"department": "Sales"}, "schemas": [CORE, ENTERPRISE]}
    )
    ambassador = AmbassadorFactory(user=user, department=None)
    operations = [{"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Support"}]
    scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": operations})
    assert Ambassador.objects.get(pk=ambassador.pk).department.name == "Support"


def test_directory_names_do_not_overwrite_names_the_person_chose(scim, settings):
    user = created(scim)
    User.objects.filter(pk=user.pk).update(
        display_name="Tessa", names_chosen_at="2026-11-01T00:00Z"
    )
    operations = [{"op": "replace", "path": "displayName", "value": "Test User (Sales)"}]
    scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": operations})
    user.refresh_from_db()
    assert user.display_name == "Tessa"
    settings.IDENTITY_PROVIDER_NAMES_WIN = True
    scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": operations})
    user.refresh_from_db()
    assert user.display_name == "Test User (Sales)"


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "Replace", "path": "active", "value": "False"}],  # Entra ID sends a string
        [{"op": "replace", "value": {"active": False}}],  # Okta
    ],
)
def test_deactivate_ends_sessions_and_mail_at_once(scim, client, guidelines, operations):
    user = created(scim)
    AmbassadorFactory(user=user)
    client.force_login(user)
    assert Session.objects.count() == 1
    response = scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": operations})
    assert response.status_code == 200
    assert json.loads(response.content)["active"] is False
    user.refresh_from_db()
    assert (user.is_active, user.deactivated_at is not None) == (False, True)
    assert Session.objects.count() == 0
    assert list(Ambassador.objects.active()) == []
    # Reactivation (a returning employee).
    again = [{"op": "replace", "value": {"active": True}}]
    scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": again})
    user.refresh_from_db()
    assert (user.is_active, user.deactivated_at) == (True, None)


def test_delete_deactivates_and_keeps_history(scim):
    user = created(scim)
    assert scim("delete", f"Users/{user.pk}").status_code == 204
    user.refresh_from_db()
    assert user.is_active is False


def test_put_replaces_the_resource(scim):
    user = created(scim)
    body = {**OKTA_CREATE, "name": {"givenName": "Tina", "familyName": "Test"}, "active": False}
    response = scim("put", f"Users/{user.pk}", body)
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.is_active) == ("Tina", "Test", False)


@pytest.mark.parametrize(
    ("body", "raw", "status", "scim_type"),
    [
        (
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "favouriteColour", "value": "red"}],
            },
            None,
            400,
            "invalidPath",
        ),
        (
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "value": {"displayName": "X", "shoeSize": 42}}],
            },
            None,
            400,
            "invalidPath",
        ),
        (
            {
                "schemas": [PATCH],
                "Operations": [
                    {"op": "replace", "path": "displayName", "value": "X"},
                    {"op": "replace", "path": "active", "value": "maybe"},
                ],
            },
            None,
            400,
            "invalidValue",
        ),
        (
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "displayName", "value": "Evil\nBcc: x"}],
            },
            None,
            400,
            "invalidValue",
        ),
        ({"schemas": [PATCH], "Operations": [{"op": "remove"}]}, None, 400, "noTarget"),
        (
            {"schemas": [PATCH], "Operations": [{"op": "move", "path": "displayName"}]},
            None,
            400,
            "invalidSyntax",
        ),
        (
            {
                "schemas": [PATCH],
                "Operations": [
                    {
                        "op": "replace",
                        "path": "emails",
                        "value": [{"value": "x@gmail.com", "primary": True}],
                    }
                ],
            },
            None,
            400,
            "invalidValue",
        ),
        (
            None,
            '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [',
            400,
            None,
        ),
    ],
)
def test_bad_patches_get_a_scim_error_and_change_nothing(scim, body, raw, status, scim_type):
    user = created(scim)
    before = snapshot()
    response = scim("patch", f"Users/{user.pk}", body, raw=raw)
    assert response.status_code == status
    error = json.loads(response.content)
    assert error["schemas"] == [ERROR]
    assert error.get("scimType") == scim_type
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "raw", "status"),
    [
        ({**OKTA_CREATE, "shoeSize": 42}, None, 400),
        ({**OKTA_CREATE, "userName": "x@gmail.com", "emails": []}, None, 400),
        ({**OKTA_CREATE, "active": "yes"}, None, 400),
        ({**OKTA_CREATE, "schemas": []}, None, 400),
        ({k: v for k, v in OKTA_CREATE.items() if k != "userName"}, None, 400),
        (None, "{not json", 400),
        (None, "[1, 2]", 400),
    ],
)
def test_bad_creates_get_a_scim_error_and_create_nothing(scim, body, raw, status):
    response = scim("post", "Users", body, raw=raw)
    assert response.status_code == status
    assert json.loads(response.content)["schemas"] == [ERROR]
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0


@pytest.mark.parametrize("pk", ["999", "abc", "1%20OR%201=1"])
def test_unknown_ids_are_404(scim, pk):
    response = scim("get", f"Users/{pk}")
    assert response.status_code == 404
    assert json.loads(response.content)["schemas"] == [ERROR]


def test_pagination_pages_through_everyone_with_a_fixed_number_of_queries(
    scim, django_assert_num_queries
):
    for n in range(7):
        UserFactory(email=f"p{n}@example.com", department=DepartmentFactory())
    pages = []
    for start in (1, 4, 7):
        # token check + last-used update (first call only) + count + page
        with django_assert_num_queries(4 if start == 1 else 3):
            response = scim("get", "Users", startIndex=start, count=3)
        body = json.loads(response.content)
        assert (body["totalResults"], body["startIndex"]) == (7, start)
        pages.append([r["userName"] for r in body["Resources"]])
    assert pages == [
        ["p0@example.com", "p1@example.com", "p2@example.com"],
        ["p3@example.com", "p4@example.com", "p5@example.com"],
        ["p6@example.com"],
    ]


def test_discovery_documents(scim):
    config = json.loads(scim("get", "ServiceProviderConfig").content)
    assert config["patch"] == {"supported": True}
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert scim("get", "Schemas").status_code == 200
    assert scim("get", "ResourceTypes").status_code == 200
    assert scim("get", "Groups").status_code == 501


def test_admin_creates_a_token_shown_once_and_revokes_it(client, scim):
    from django.contrib.messages import get_messages
    from django.urls import reverse

    admin = User.objects.create_superuser("admin@example.com", "admin@example.com", "pw-1")
    client.force_login(admin)
    response = client.post(reverse("admin:ambassadors_scimtoken_add"), {"name": "Okta"})
    assert response.status_code == 302
    (message,) = [
        str(m) for m in get_messages(response.wsgi_request) if "shown only once" in str(m)
    ]
    token = message.rsplit(" ", 1)[1]
    row = ScimToken.objects.get(name="Okta")
    assert (row.token_hash, row.created_by) == (scim_token_hash(token), admin)
    assert scim("get", "Users", auth=f"Bearer {token}").status_code == 200
    response = client.post(
        reverse("admin:ambassadors_scimtoken_changelist"),
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert scim("get", "Users", auth=f"Bearer {token}").status_code == 401


def test_search_endpoint_filters_like_get(scim):
    created(scim)
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'externalId eq "00ujl29u0le5T6Aj10h7"',
    }
    response = scim("post", "Users/.search", body)
    assert response.status_code == 200
    found = json.loads(response.content)
    assert [r["userName"] for r in found["Resources"]] == ["test.user@example.com"]


def test_entra_default_attribute_patch_is_accepted(scim):
    """The PATCH Entra ID sends with its default attribute mappings: attributes we do not
    keep (title, phone numbers, addresses) are accepted and ignored, not refused."""
    user = created(scim)
    operations = [
        {"op": "Add", "path": "title", "value": "Engineer"},
        {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+31 20 1234"},
        {"op": "Add", "path": 'addresses[type eq "work"].locality', "value": "Amsterdam"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "tu@example.com"},
        {"op": "Replace", "path": 'emails[type eq "home"].value', "value": "me@gmail.com"},
        {"op": "Replace", "path": "name.familyName", "value": "Usher"},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "42"},
        {"op": "Add", "path": f"{ENTERPRISE}:employeeNumber", "value": "1001"},
        {"op": "Replace", "path": "preferredLanguage", "value": "nl-NL"},
    ]
    response = scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": operations})
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert (user.email, user.last_name) == ("tu@example.com", "Usher")


@pytest.mark.parametrize("path", ["emails[type eq", "name..givenName", "a b", "x.y.z"])
def test_unreadable_paths_are_invalid_path(scim, path):
    user = created(scim)
    before = snapshot()
    ops = [{"op": "replace", "path": path, "value": "x"}]
    response = scim("patch", f"Users/{user.pk}", {"schemas": [PATCH], "Operations": ops})
    assert response.status_code == 400
    assert json.loads(response.content)["scimType"] == "invalidPath"
    assert snapshot() == before
