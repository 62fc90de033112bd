"""/scim/v2/: django-scim2's routes with our Users view."""

from django.urls import re_path
from django_scim import views

from .scim import ScimUsersView

app_name = "scim"

urlpatterns = [
    re_path(r"^$", views.SCIMView.as_view(implemented=False), name="root"),
    re_path(r"^\.search$", views.SearchView.as_view(implemented=False), name="search"),
    re_path(r"^Users/\.search$", views.UserSearchView.as_view(), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", ScimUsersView.as_view(), name="users"),
    re_path(
        r"^Groups(?:/(?P<uuid>[^/]+))?$", views.SCIMView.as_view(implemented=False), name="groups"
    ),
    re_path(r"^Me$", views.SCIMView.as_view(implemented=False), name="me"),
    re_path(
        r"^ServiceProviderConfig$",
        views.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$",
        views.ResourceTypesView.as_view(),
        name="resource-types",
    ),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", views.SchemasView.as_view(), name="schemas"),
    re_path(r"^Bulk$", views.SCIMView.as_view(implemented=False), name="bulk"),
]
