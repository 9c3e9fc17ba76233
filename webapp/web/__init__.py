"""Request glue shared by every blueprint: rendering, forms, navigation, pagination, error
pages, security headers, the signed-in session, static files and visit counting."""
