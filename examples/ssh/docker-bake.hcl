group "default" {
  targets = ["builder", "tools"]
}

target "builder" {
  context    = "."
  dockerfile = "Dockerfile"
  tags       = ["example/builder"]
  ssh        = ["default", "deploy=keys/deploy_key"]
}

target "tools" {
  context    = "tools"
  dockerfile = "Dockerfile"
  tags       = ["example/tools"]
  ssh        = ["github=keys/github_key"]
}
