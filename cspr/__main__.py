from cspr.cli.main import main

main()
