from gfverify.claims.cli import main

raise SystemExit(main())
