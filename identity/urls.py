from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from identity import oidc, saml, scim, views, views_mfa

urlpatterns = [
    path("account/sessions/", views.my_sessions, name="my-sessions"),
    path("leavers/", views.leavers, name="leavers"),
    path("sso/setup/", views.sso_setup, name="sso-setup"),
    path("account/mfa/", views_mfa.mfa_page, name="mfa"),
    path("account/mfa/recovery-codes/", views_mfa.recovery_codes, name="mfa-recovery-codes"),
    path("sso/oidc/start/", login_not_required(oidc.OIDCStartView.as_view()), name="oidc-start"),
    path("sso/oidc/callback/", login_not_required(oidc.OIDCCallbackView.as_view()), name="oidc-callback"),
    path("sso/saml/start/", login_not_required(saml.saml_start), name="saml-start"),
    # The IdP's form posts the signed response from its own site: no CSRF token, the signature is the proof.
    path("sso/saml/acs/", login_not_required(csrf_exempt(saml.saml_acs)), name="saml-acs"),
    path("sso/saml/metadata/", login_not_required(saml.saml_metadata), name="saml-metadata"),
    # SCIM authenticates by its own bearer token, like the API (never by a session or the login page).
    path(
        "scim/v2/ServiceProviderConfig",
        login_not_required(scim.ServiceProviderConfigView.as_view()),
        name="scim-config",
    ),
    path("scim/v2/Users", login_not_required(scim.UsersView.as_view()), name="scim-users"),
    path("scim/v2/Users/<int:pk>", login_not_required(scim.UserView.as_view()), name="scim-user"),
    path("scim/v2/Groups", login_not_required(scim.GroupsView.as_view()), name="scim-groups"),
    path("scim/v2/Groups/<int:pk>", login_not_required(scim.GroupView.as_view()), name="scim-group"),
]
