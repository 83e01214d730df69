"""The portal pages the accessibility and HTML checks visit, under a language prefix."""

PORTAL_PAGES = [
    "/",
    "/agreements/",
    "/agreements/?q=madrid",
    "/agreements/?signed_from=2030-01-01&signed_to=2020-01-01&area=nowhere",
    "/agreements/nitec-madrid-digital-cooperation-2025/",
    "/milestones/",
    "/milestones/?due_within=abc",
    "/areas/",
    "/areas/govtech/",
    "/agencies/",
    "/agencies/madrid-ministry-of-digitalization/",
    "/search/?q=madrid",
    "/search/?q=",
    "/accounts/login/",
    "/no-such-page/",
]
