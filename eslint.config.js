// Lint rules that keep the architecture honest, beside the usual TypeScript and Vue checks.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'
import prettier from 'eslint-config-prettier/flat'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    // Also on .ts files: import-x parses imported .vue files with the importer's parser options.
    files: ['**/*.{ts,mts,vue}'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'vue/multi-word-component-names': 'off',
      // Rendering HTML from data is how secrets turn into XSS.
      'vue/no-v-html': 'error',
    },
  },
  {
    // A module that imports one that imports it back has no clear owner; keep the graph a tree.
    files: ['**/*.{ts,mts,vue}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs', '.vue'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'], 'vue-eslint-parser': ['.vue'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.vue', '.js', '.mjs'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // shared/ runs in browsers and in Node alike: only what both provide.
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'vue', 'fastify', '@fastify/*'], message: 'shared/ must stay runtime-agnostic.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'localStorage', 'require'],
    },
  },
  {
    // web/src/README.md: a feature never reaches into another; what two share moves to common/ or lib/.
    files: ['web/src/features/*/**/*.{ts,vue}'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: ['create', 'reveal', 'manage', 'links'].map((feature) => ({
            target: `./web/src/features/${feature}`,
            from: './web/src/features',
            except: [`./${feature}`],
            message: 'A feature imports only from common/, lib/ and @burnlink/shared.',
          })),
        },
      ],
    },
  },
  {
    // common/ and lib/ sit below the features.
    files: ['web/src/{common,lib}/**/*.{ts,vue}'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: ['common', 'lib'].map((folder) => ({
            target: `./web/src/${folder}`,
            from: './web/src/features',
            message: 'common/ and lib/ sit below the features.',
          })),
        },
      ],
    },
  },
  {
    // Every word a person reads comes from web/src/locales (issue 15); only punctuation and
    // symbols may stand bare in a template.
    files: ['web/src/**/*.vue'],
    rules: { 'vue/no-bare-strings-in-template': 'error' },
  },
  {
    // The key lives in the URL fragment and in memory; nothing in web/ may persist it.
    files: ['web/src/**/*.{ts,vue}'],
    rules: {
      'no-restricted-globals': ['error', { name: 'sessionStorage', message: 'Never persist link material.' }],
    },
  },
  // Prettier owns formatting (npm run format); lint keeps to meaning.
  prettier,
)
