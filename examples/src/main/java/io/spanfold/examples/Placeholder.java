package io.spanfold.examples; final class Placeholder {}
