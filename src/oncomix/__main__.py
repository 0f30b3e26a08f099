from oncomix.cli import main

main()
