"""`flask --app webapp mail ...`: deliver the email outbox from the command line."""

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.mail.service import send_due
from webapp.mail.worker import MailSender
from webapp.models import OutboxMessage, OutboxStatus

mail_cli = AppGroup("mail", help="The email outbox.")

OUTCOMES = {"sent": "sent", "deferred": "will retry", "failed": "gave up"}


@mail_cli.command("send")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to wait between passes when there is nothing to send.")
@click.option("--once", is_flag=True, help="Run one pass, print what happened and exit.")
def send(interval, once):
    """Deliver due email over SMTP until stopped with Ctrl-C (or once)."""
    config = current_app.config
    if not config["MAIL_SMTP_HOST"]:
        raise click.ClickException("MAIL_SMTP_HOST is not set, so no email can be sent.")
    if once:
        _print_report(send_due())
        return
    click.echo(f"Sending email through {config['MAIL_SMTP_HOST']}:{config['MAIL_SMTP_PORT']} "
               f"every {interval:g} s. Press Ctrl-C to stop.")
    try:
        MailSender(current_app._get_current_object(), interval).run()
    except KeyboardInterrupt:
        # A message being sent stays pending (its transaction rolls back) and goes next time.
        click.echo("Stopped.")


def _print_report(report: dict[str, list[int]]) -> None:
    for outcome, ids in report.items():
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            line = (f"{OUTCOMES[outcome]:>10}  #{message.id} to {message.recipients}: "
                    f"{message.subject}")
            if outcome != "sent":
                line += f" ({message.last_error})"
            click.echo(line)
    waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.status == OutboxStatus.PENDING))
    click.echo(f"{len(report['sent'])} sent, {len(report['deferred'])} to retry, "
               f"{len(report['failed'])} failed; {waiting} pending.")


def init_app(app):
    app.cli.add_command(mail_cli)
