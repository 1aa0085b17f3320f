# Dashboard widgets of the database (output dashboard_widgets), for the owning service's dashboard.

locals {
  dashboard_widgets = [
    {
      title = "${var.name}: CPU (%) and connections"
      metrics = [
        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", module.rds.id, { stat = "Average", label = "CPU" }],
        ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", module.rds.id, { stat = "Maximum", label = "connections", yAxis = "right" }],
      ]
    },
    {
      title   = "${var.name}: free storage (bytes)"
      metrics = [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", module.rds.id, { stat = "Minimum", label = "free storage" }]]
    },
  ]
}
