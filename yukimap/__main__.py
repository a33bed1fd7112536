from yukimap.cli import main

main()
