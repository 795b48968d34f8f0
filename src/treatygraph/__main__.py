from treatygraph.cli import main

main()
