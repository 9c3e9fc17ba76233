from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.web.forms import PASSWORD_HINT, PasswordPolicy


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice; `account` is the user it is for (the policy reads it)."""

    password = PasswordField("New password", description=PASSWORD_HINT,
                             validators=[DataRequired(), PasswordPolicy()])
    confirm = PasswordField("Repeat the new password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords do not match.")])

    def __init__(self, account, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=1024)])


class SecondStepForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=32)],
                       description="The 6 digits your authenticator app shows, or one of your "
                                   "recovery codes.")
    submit = SubmitField("Continue")


class AuthenticatorForm(FlaskForm):
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=32)])
    name = StringField("Name", validators=[Length(max=100)], default="Authenticator app",
                       description="To tell it apart, e.g. “Phone”.")
    submit = SubmitField("Add the authenticator app")


class PasskeyForm(FlaskForm):
    """What the browser answered (JSON), put here by passkeys.js, and the passkey's name."""

    credential = HiddenField(validators=[DataRequired(), Length(max=20000)])
    name = StringField("Passkey name", validators=[Length(max=100)], default="Passkey",
                       description="To tell it apart, e.g. “iPad” or “Work laptop”.")


class SignInSettingsForm(FlaskForm):
    buyers_required = BooleanField("Buyers must use a passkey or an authenticator app too")
    submit = SubmitField("Save")
