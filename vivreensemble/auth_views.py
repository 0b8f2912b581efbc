from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vivreensemble.throttle import too_many_attempts


class LoginView(auth_views.LoginView):
    """Login with a brake on password guessing, per address and per account name."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        limited_ip = too_many_attempts(request, group="login-ip", key="ip", rate="30/10m")
        limited_user = too_many_attempts(
            request, group="login-user", key="post:username", rate="10/10m"
        )
        if limited_ip or limited_user:
            form = self.get_form()
            form.is_bound = True
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Trop de tentatives de connexion. Par sécurité, attendez quelques minutes "
                    "avant de réessayer."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)
