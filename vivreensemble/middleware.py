import functools
from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty


def french_first_locale(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """French unless the user chose another language: a browser's Accept-Language is ignored,
    so a public servant never lands on a half-English screen by accident."""

    available = {code for code, _name in settings.LANGUAGES}

    def middleware(request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


class ConstantCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy built once. No view here changes the policy or
    asks for a nonce, and the library builds it again for every response (the policy, then the
    empty report-only one): more CPU than the database query of a tablet's 2-second poll. A
    response that does carry its own policy parts, or a request that used a nonce, still goes
    through the library."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        customised = getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, attribute) for attribute in PER_RESPONSE_POLICY
        )
        if customised or (settings.DEBUG and response.status_code in (404, 500)):
            return super().process_response(request, response)
        for header, policy in zip((HEADER, HEADER_REPORT_ONLY), _constant_policies(), strict=True):
            if policy and header not in response:
                response[header] = policy
        return response


PER_RESPONSE_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)


@functools.cache
def _constant_policies() -> tuple[str, str]:
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _policy_settings_changed(*, setting: str, **_kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _constant_policies.cache_clear()


class LazyMessageMiddleware(MessageMiddleware):
    """Django's messages, with their storage built only when a view or a page adds or reads one.
    Most requests here are a tablet's poll or vote, which never do; building the storage (a
    cookie signer and a session store) for each of them cost as much as the poll's own view."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        stored = getattr(request, "_messages", None)
        if isinstance(stored, SimpleLazyObject) and stored._wrapped is empty:
            return response
        return super().process_response(request, response)
