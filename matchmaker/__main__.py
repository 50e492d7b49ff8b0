"""`python -m matchmaker ...`"""

from matchmaker.cli import main

main()
