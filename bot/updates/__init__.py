"""\"You said, we did\": updates coordinators write for a theme and Heard sends, each person in
their own language and register, to everyone whose views carry the theme and who agreed to
updates (docs/DESIGN.md, "You said, we did")."""
