"""Who people are: names, e-mail domains, enterprise sign-in (SAML/OIDC claims), SCIM
provisioning and leavers. Everything that turns an identity provider's data into ours."""
