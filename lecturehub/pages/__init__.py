"""The pages that gather several features: the home page, a talk's page (and its courseware
page, where the upload form posts without JavaScript) and a session's page.

This package sits above every feature (STYLE: a small page-composition package): it may call
any of them and none imports it. Each page is one view function in ``views``; what a feature
shows on it comes from that feature's ``panels`` module as rendered HTML.
"""
