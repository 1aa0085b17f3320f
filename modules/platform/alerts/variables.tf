variable "team" {
  description = "Team (teams.yaml key) whose alerts the topic carries; the topic is <team>-alerts."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.team))
    error_message = "team must match ^[a-z][a-z0-9-]{0,38}[a-z0-9]$."
  }
}

variable "environment" {
  description = "Environment (account) name; recorded in the environment tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must match ^[a-z][a-z0-9]{1,15}$."
  }
}

variable "email" {
  description = "Email addresses that get the team's alarms in this environment."
  type        = list(string)
  default     = []
}

variable "https" {
  description = "HTTPS endpoints (for example an incident tool's integration URL) that get the team's alarms in this environment."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags. The module adds owner, service (<team>-alerts), environment and managed-by = infragen, which take precedence."
  type        = map(string)
  default     = {}
}
