from pathmove.cli import main

raise SystemExit(main())
