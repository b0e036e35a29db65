from cleanfeed.cli import main

raise SystemExit(main())
