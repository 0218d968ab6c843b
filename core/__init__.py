"""The ground both halves stand on: settings, the database and its migrations, shared column
types, roles and access, the personal-data guard, labels, flow-run links and the one seam
between the workflow and learning. Imports neither half."""
