from review_flows.cli.main import main

main()
