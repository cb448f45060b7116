group "default" {
  targets = ["app"]
}

target "app" {
  context    = "."
  dockerfile = "Dockerfile"
  tags       = ["example/app:1.0"]
  secret = [
    "id=npm_token,src=secrets/npm_token.txt",
    "id=pipconf,src=secrets/pip.conf",
    "id=gh,env=GITHUB_TOKEN",
  ]
}
